"""Parcel carriers: labels and tracking."""
