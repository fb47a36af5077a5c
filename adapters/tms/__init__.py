"""The transport management system: freight quotes across carriers."""
