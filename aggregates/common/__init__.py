"""Value objects, errors and the lifecycle shared by every document."""
