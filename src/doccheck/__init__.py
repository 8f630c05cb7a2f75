"""The docs checker: runs every page's code and checks every number."""
