"""The checklist (核注清单) and its customs declaration (报关单), R-CHK-1 … 8."""
