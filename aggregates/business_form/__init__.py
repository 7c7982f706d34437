"""The business form (业务申报表): the quota and deposit that stock slips draw on."""
