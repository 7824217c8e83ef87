"""电子证照: licences issued on a grant, signed, verified by QR, revoked, expired, replaced."""
