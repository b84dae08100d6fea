"""The retention rules of an office (R-RET-1)."""
