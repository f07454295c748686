from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from .models import Membership, Organisation, Team, User
from .people_import import PeopleImportError, people_import, people_rows_from_csv


class PeopleImportForm(forms.Form):
    file = forms.FileField(
        help_text="CSV, UTF-8, with a header line: email, full_name, "
        "organisation, team (a team's slug, optional), role (requester, agent or lead)."
    )
    dry_run = forms.BooleanField(
        label="Preview only",
        required=False,
        initial=True,
        help_text="Show what would be created and updated, and change nothing.",
    )


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "domains", "requesters_share_tickets"]
    list_filter = ["requesters_share_tickets"]
    search_fields = ["name", "email_domains"]

    @admin.display(description="e-mail domains")
    def domains(self, obj):
        return ", ".join(obj.domain_list)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "full_name",
        "organisation",
        "department",
        "is_vip",
        "is_staff",
        "is_active",
    ]
    list_filter = ["is_staff", "is_superuser", "is_active", "is_vip", "organisation"]
    list_select_related = ["organisation"]
    search_fields = ["email", "full_name", "organisation__name", "department"]
    autocomplete_fields = ["manager"]
    change_list_template = "accounts/admin/user_change_list.html"
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            "Person",
            {"fields": ["full_name", "organisation", "department", "site", "is_vip", "manager"]},
        ),
        (
            "Access",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]

    def get_urls(self):
        view = self.admin_site.admin_view(self.import_view)
        return [path("import/", view, name="accounts_user_import"), *super().get_urls()]

    def import_view(self, request):
        """Upload a CSV of people: a preview first, then the import (all rows or none)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = PeopleImportForm(request.POST or None, request.FILES or None)
        result, errors = None, []
        if request.method == "POST" and form.is_valid():
            try:
                rows = people_rows_from_csv(form.cleaned_data["file"].read())
                result = people_import(
                    rows=rows, actor=request.user, dry_run=form.cleaned_data["dry_run"]
                )
            except PeopleImportError as exc:
                form.add_error("file", exc.message)
                errors = exc.errors
        context = {
            **self.admin_site.each_context(request),
            "title": "Import people",
            "opts": self.model._meta,
            "form": form,
            "result": result,
            "errors": errors,
        }
        return TemplateResponse(request, "accounts/admin/import.html", context)


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "is_triage", "touch_and_hold", "allow_direct_support", "email"]
    list_filter = ["touch_and_hold", "allow_direct_support"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
