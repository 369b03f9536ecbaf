from django.urls import path

from generations import compare_views, views

app_name = "generations"

urlpatterns = [
    path("gallery/poll/", views.poll, name="poll"),  # first: the most frequent request (project/urls.py)
    path("gallery/", views.gallery, name="gallery"),
    path("generate/", views.generate, name="generate"),
    path("generate/fields/", views.composer_fields, name="composer_fields"),
    path("generate/quote/", views.quote, name="quote"),
    path("hooks/<slug:provider>/<str:token>/", views.provider_webhook, name="provider_webhook"),
    path("media/source/<str:token>/<str:filename>", views.source_media_signed, name="source_media_signed"),
    path("g/<str:public_id>/", views.detail, name="detail"),
    path("g/<str:public_id>/card/", views.card, name="card"),
    path("g/<str:public_id>/files/<str:asset_id>/", views.asset_file, name="asset"),
    path(
        "g/<str:public_id>/files/<str:asset_id>/thumbnail/",
        views.asset_file,
        {"variant": "thumbnail"},
        name="asset_thumbnail",
    ),
    path("g/<str:public_id>/files/<str:asset_id>/use/", views.use_as_source, name="use_as_source"),
    path("g/<str:public_id>/download/", views.download_all, name="download_all"),
    path("g/<str:public_id>/rerun/", views.rerun, name="rerun"),
    path("g/<str:public_id>/cancel/", views.cancel, name="cancel"),
    path("g/<str:public_id>/delete/", views.delete, name="delete"),
    path("g/<str:public_id>/favourite/", views.favourite, name="favourite"),
    path("g/<str:public_id>/boards/", views.add_to_board, name="add_to_board"),
    path("files/<str:token>/<str:filename>", views.shared_file, name="shared_file"),
    path("compare/", compare_views.compare_create, name="compare_create"),
    path("compare/new/", compare_views.compare_new, name="compare_new"),
    path("compare/<str:public_id>/", compare_views.compare_detail, name="compare_detail"),
    path("compare/<str:public_id>/poll/", compare_views.compare_poll, name="compare_poll"),
    path("boards/", views.boards, name="boards"),
    path("boards/<str:public_id>/", views.board, name="board"),
    path("boards/<str:public_id>/rename/", views.board_rename_view, name="board_rename"),
    path("boards/<str:public_id>/delete/", views.board_delete_view, name="board_delete"),
    path("boards/<str:public_id>/remove/<str:generation_id>/", views.board_remove_view, name="board_remove"),
]
