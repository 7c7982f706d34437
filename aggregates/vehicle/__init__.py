"""The vehicle filing (车辆信息), R-VEH-1 … 3."""
