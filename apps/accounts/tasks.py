"""E-mail that belongs to accounts: the sign-in link."""

from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string

from .models import User
from .services import sign_in_link_url


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_sign_in_link(user_id: int) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    context = {"user": user, "url": sign_in_link_url(user=user)}
    send_mail(
        subject="Your Switchboard sign-in link",
        message=render_to_string("accounts/email/sign_in_link.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
