"""The customs link: messages out in the import dialect, receipts in (HDE)."""
