"""Plain NumPy references, written from the operators' definitions; they never call cvcore."""
