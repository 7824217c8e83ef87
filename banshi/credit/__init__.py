"""信用: credit records, lists, a level per subject, gates on commitments and 容缺, instant approval, repair."""
