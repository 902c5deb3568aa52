"""Signed outgoing webhooks (Standard Webhooks): endpoints, events, delivery."""
