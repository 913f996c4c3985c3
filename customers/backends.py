"""Password and session sign-in for back-office users, refused to inactive Pagila staff members.

Django's ModelBackend already refuses a user whose ``is_active`` is false, at sign-in and on every
request of an open session (``get_user``). A user linked to a Pagila staff member set inactive
(``staff.active`` false: they left the chain) must lose access the same way, without anyone
remembering to deactivate the Django user too; API tokens are refused by the same rule
(``ApiToken.objects.usable``).
"""

from asgiref.sync import sync_to_async
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class StaffMemberBackend(ModelBackend):
    def user_can_authenticate(self, user):
        if not super().user_can_authenticate(user):
            return False
        account = getattr(user, "staff_account", None)
        return account is None or account.staff.active

    def get_user(self, user_id):
        # One query for the user, its link and its staff member, on every request of a session.
        users = get_user_model()._default_manager.select_related("staff_account__staff")
        user = users.filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None

    async def aget_user(self, user_id):
        # ModelBackend's would call user_can_authenticate, which reads the staff member, in the
        # event loop (``await request.auser()``: the AI views' staff sessions).
        return await sync_to_async(self.get_user)(user_id)
