"""The relation table Django made for "related articles" becomes a model of its own, so the
database can refuse an article related to itself (the rows an old admin edit left go first)."""

import django.db.models.deletion
from django.db import migrations, models


def drop_self_relations(apps, schema_editor):
    RelatedArticle = apps.get_model("knowledge", "RelatedArticle")
    RelatedArticle.objects.filter(from_article=models.F("to_article")).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0003_title_vector"),
    ]

    operations = [
        # The table exists already (knowledge_article_related): only Django's picture changes.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RelatedArticle",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "from_article",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="knowledge.article",
                            ),
                        ),
                        (
                            "to_article",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="knowledge.article",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "knowledge_article_related",
                        "unique_together": {("from_article", "to_article")},
                    },
                ),
                migrations.AlterField(
                    model_name="article",
                    name="related",
                    field=models.ManyToManyField(
                        blank=True,
                        through="knowledge.RelatedArticle",
                        through_fields=("from_article", "to_article"),
                        to="knowledge.article",
                    ),
                ),
            ],
        ),
        migrations.RunPython(drop_self_relations, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="relatedarticle",
            constraint=models.CheckConstraint(
                condition=models.Q(("from_article", models.F("to_article")), _negated=True),
                name="article_not_related_to_itself",
            ),
        ),
    ]
