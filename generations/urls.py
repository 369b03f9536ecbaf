from django.urls import path

from generations import compare_views
from generations.views import batches, boards, composer, files, gallery, generation, webhooks

app_name = "generations"

urlpatterns = [
    path("gallery/poll/", gallery.poll, name="poll"),  # first: the most frequent request (project/urls.py)
    path("gallery/", gallery.gallery, name="gallery"),
    path("generate/", composer.generate, name="generate"),
    path("generate/fields/", composer.composer_fields, name="composer_fields"),
    path("generate/quote/", composer.quote, name="quote"),
    path("hooks/<slug:provider>/<str:token>/", webhooks.provider_webhook, name="provider_webhook"),
    # kept for upload links already sent to providers (older tokens); every new link is /files/… below
    path("media/source/<str:token>/<str:filename>", files.signed_file_view, name="signed_file_legacy"),
    path("g/<str:public_id>/", generation.detail, name="detail"),
    path("g/<str:public_id>/card/", gallery.card, name="card"),
    path("g/<str:public_id>/files/<str:asset_id>/", files.asset_file, name="asset"),
    path(
        "g/<str:public_id>/files/<str:asset_id>/thumbnail/",
        files.asset_file,
        {"variant": "thumbnail"},
        name="asset_thumbnail",
    ),
    path("g/<str:public_id>/files/<str:asset_id>/use/", files.use_as_source, name="use_as_source"),
    path("g/<str:public_id>/download/", files.download_all, name="download_all"),
    path("g/<str:public_id>/rerun/", generation.rerun, name="rerun"),
    path("g/<str:public_id>/cancel/", generation.cancel, name="cancel"),
    path("g/<str:public_id>/delete/", generation.delete, name="delete"),
    path("g/<str:public_id>/favourite/", generation.favourite, name="favourite"),
    path("g/<str:public_id>/boards/", boards.add_to_board, name="add_to_board"),
    path("files/<str:token>/<str:filename>", files.signed_file_view, name="signed_file"),
    path("batches/<str:public_id>/", batches.batch_detail, name="batch"),
    path("batches/<str:public_id>/head/", batches.batch_head, name="batch_head"),
    path("batches/<str:public_id>/cancel/", batches.batch_cancel, name="batch_cancel"),
    path("batches/<str:public_id>/again/", batches.batch_again, name="batch_again"),
    path("compare/", compare_views.compare_create, name="compare_create"),
    path("compare/new/", compare_views.compare_new, name="compare_new"),
    path("compare/<str:public_id>/", compare_views.compare_detail, name="compare_detail"),
    path("compare/<str:public_id>/poll/", compare_views.compare_poll, name="compare_poll"),
    path("boards/", boards.boards, name="boards"),
    path("boards/<str:public_id>/", boards.board, name="board"),
    path("boards/<str:public_id>/rename/", boards.board_rename_view, name="board_rename"),
    path("boards/<str:public_id>/delete/", boards.board_delete_view, name="board_delete"),
    path("boards/<str:public_id>/remove/<str:generation_id>/", boards.board_remove_view, name="board_remove"),
]
