"""The ERP: customers, products, sales orders, billing."""
