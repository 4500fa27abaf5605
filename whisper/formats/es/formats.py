FULL_DATE_FORMAT = r"l, j \d\e F \d\e Y"
