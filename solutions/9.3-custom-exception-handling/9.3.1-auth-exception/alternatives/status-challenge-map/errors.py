class AuthError(Exception):
    status_code: int = 401
    code: str = "invalid_token"
    message: str = "Authentication required"

    def __init__(self, message: str | None = None):
        super().__init__(message or self.message)
        if message:
            self.message = message


class TokenExpired(AuthError):
    code = "token_expired"
    message = "Your token has expired, please log in again"


class InsufficientScope(AuthError):
    status_code = 403
    code = "insufficient_scope"
    message = "You do not have permission for this"
