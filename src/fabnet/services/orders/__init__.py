"""Orders: orders, lots, contracts, inspections, payments and escrow, audit."""
