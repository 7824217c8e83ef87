"""审计日志: the append-only, hash-chained trail of staff reads of personal data, data-sharing calls, logins and permission changes."""
