"""The stock slip (出入库单): goods moved in or out against a business form."""
