"""dramatiq actors for Idea Portal. They import the domain from ``portal``; never the reverse."""
