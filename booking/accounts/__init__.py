"""Signing in, signing out, password reset and invitations for contact persons."""
