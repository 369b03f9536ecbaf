from django.db import migrations, models


def runnable_from_spec(apps, schema_editor):
    Offer = apps.get_model("catalog", "Offer")
    for offer in Offer.objects.all().only("pk", "spec"):
        runnable = (offer.spec or {}).get("wire", {}).get("direct_api", True) is not False
        if not runnable:
            Offer.objects.filter(pk=offer.pk).update(runnable=False)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_offer_live_and_priced"),
    ]

    operations = [
        migrations.AddField(
            model_name="offer",
            name="runnable",
            field=models.BooleanField(default=True),
        ),
        migrations.RunPython(runnable_from_spec, migrations.RunPython.noop),
    ]
