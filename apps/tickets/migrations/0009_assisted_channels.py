from django.db import migrations, models

CHANNELS = [
    ("web", "Web"),
    ("api", "API"),
    ("email", "E-mail"),
    ("phone", "Phone"),
    ("chat", "Chat"),
    ("walk_in", "In person"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0008_finished_in_a_period_index"),
    ]

    operations = [
        migrations.AlterField(
            model_name="comment",
            name="channel",
            field=models.CharField(choices=CHANNELS, default="web", max_length=10),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="channel",
            field=models.CharField(choices=CHANNELS, default="web", max_length=10),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="resolution",
            field=models.CharField(
                blank=True,
                choices=[
                    ("information", "Answered with information"),
                    ("documentation", "Pointed to documentation"),
                    ("workaround", "Workaround given"),
                    ("change", "Code or data change"),
                    ("duplicate", "Duplicate of another ticket"),
                    ("problem", "Fixed with its known problem"),
                    ("no_action", "No action needed"),
                ],
                max_length=15,
            ),
        ),
    ]
