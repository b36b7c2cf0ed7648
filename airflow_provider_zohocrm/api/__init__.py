"""Typed Zoho CRM calls, one module per API family, mixed into ``ZohoCRMHook``.

Each mixin relies only on ``self.request(...)``; pure checks of Zoho's documented rules live in
the ``*_validation`` modules beside them so they can run before any request.
"""
