from django.urls import path

from . import views

app_name = "items"
urlpatterns = [
    path("registries/<slug:slug>/items/new/", views.add, name="add"),
    path("registries/<slug:slug>/funds/new/", views.add_fund, name="add_fund"),
    path("registries/<slug:slug>/items/reorder/", views.reorder, name="reorder"),
    path("registries/<slug:slug>/items/<int:pk>/edit/", views.edit, name="edit"),
    path("registries/<slug:slug>/items/<int:pk>/delete/", views.delete, name="delete"),
    path("registries/<slug:slug>/items/<int:pk>/hide/", views.toggle_hidden, name="hide"),
    path("registries/<slug:slug>/items/<int:pk>/move/", views.move, name="move"),
    path("registries/<slug:slug>/items/<int:pk>/received/", views.received, name="received"),
]
