"""The ERP: customers, products, sales orders, deliveries, billing, cutting items."""
