"""The warehouse management system: stock, reservations, picking and shipping."""
