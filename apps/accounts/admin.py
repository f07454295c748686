from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Membership, Team, User


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
    list_filter = ["is_staff", "is_superuser", "is_active", "is_vip"]
    search_fields = ["email", "full_name", "organisation", "department"]
    autocomplete_fields = ["manager"]
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


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "is_triage", "touch_and_hold", "allow_direct_support", "email"]
    list_filter = ["touch_and_hold", "allow_direct_support"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [MembershipInline]
