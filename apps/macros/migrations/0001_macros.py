# Macros: canned replies with placeholders and the field changes sent with them.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('accounts', '0005_user_email_bounced'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Macro',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=80)),
                ('body', models.TextField(help_text='Placeholders such as {{ requester.first_name }}, {{ ticket.reference }} and {{ agent.first_name }} are filled in when the macro is picked.')),
                ('scope', models.CharField(choices=[('personal', 'Personal'), ('team', 'Team'), ('global', 'Everyone')], default='personal', max_length=10)),
                ('internal', models.BooleanField(default=False, help_text='Sent as an internal note, not to the requester.', verbose_name='internal note')),
                ('set_status', models.CharField(blank=True, choices=[('open', 'Open'), ('pending', 'Pending on requester'), ('resolved', 'Resolved')], max_length=20, verbose_name='set status')),
                ('set_priority', models.PositiveSmallIntegerField(blank=True, choices=[(1, 'Low'), (2, 'Normal'), (3, 'High'), (4, 'Urgent')], null=True, verbose_name='set priority')),
                ('add_tags', models.CharField(blank=True, help_text='Separate with commas.', max_length=200, verbose_name='add tags')),
                ('is_active', models.BooleanField(default=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('owner', models.ForeignKey(blank=True, help_text='Personal macros only: whose it is.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='macros', to=settings.AUTH_USER_MODEL)),
                ('team', models.ForeignKey(blank=True, help_text='Team macros only: the team whose agents may use it.', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='macros', to='accounts.team')),
            ],
            options={
                'ordering': ['name', 'pk'],
                'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('owner__isnull', False), ('scope', 'personal'), ('team__isnull', True)), models.Q(('owner__isnull', True), ('scope', 'team'), ('team__isnull', False)), models.Q(('owner__isnull', True), ('scope', 'global'), ('team__isnull', True)), _connector='OR'), name='macro_scope_names_its_owner_or_team')],
            },
        ),
    ]
