from django.contrib.admin.apps import AdminConfig


class WijkregieAdminConfig(AdminConfig):
    default_site = "wijkregie.admin_site.WijkregieAdminSite"
