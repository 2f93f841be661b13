"""Built-in methods and global names, one module per JavaScript type."""
