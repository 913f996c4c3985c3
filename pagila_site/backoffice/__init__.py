"""The staff back office: Django's admin as :class:`.sites.BackOfficeSite`, its dashboard
(:mod:`.dashboard` figures drawn by :mod:`.charts`), the "Ask AI" page, and the admin list
filters the apps' ``admin.py`` share. Templates live in ``templates/admin/``."""
