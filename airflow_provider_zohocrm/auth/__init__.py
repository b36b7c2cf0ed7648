"""OAuth for Zoho CRM: access tokens minted from the connection's refresh token, shared and cached."""
