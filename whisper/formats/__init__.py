"""Date formats of our own, beside Django's (``FORMAT_MODULE_PATH``): only what Django lacks.

``FULL_DATE_FORMAT``: a day with its weekday, as on an invitation
("Tuesday, February 23, 2027", "Dienstag, 23. Februar 2027").
"""
