from django.urls import path

from generations import views

app_name = "generations"

urlpatterns = [
    path("gallery/", views.gallery, name="gallery"),
    path("gallery/poll/", views.poll, name="poll"),
    path("generate/", views.generate, name="generate"),
    path("generate/fields/", views.composer_fields, name="composer_fields"),
    path("generate/quote/", views.quote, name="quote"),
    path("hooks/<slug:provider>/<str:token>/", views.provider_webhook, name="provider_webhook"),
    path("g/<str:public_id>/", views.detail, name="detail"),
    path("g/<str:public_id>/card/", views.card, name="card"),
    path("g/<str:public_id>/files/<str:asset_id>/", views.asset_file, name="asset"),
    path(
        "g/<str:public_id>/files/<str:asset_id>/thumbnail/",
        views.asset_file,
        {"variant": "thumbnail"},
        name="asset_thumbnail",
    ),
]
