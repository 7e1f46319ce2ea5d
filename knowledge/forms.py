from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Language


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Body"),
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Markdown: **bold**, *italic*, lists, `code`, [links](https://…). HTML is removed."),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    product = forms.CharField(label=_("Product"), max_length=100, required=False)
    tags = forms.CharField(label=_("Tags"), max_length=300, required=False, help_text=_("Comma-separated."))
    published = forms.BooleanField(label=_("Published (visible to customers)"), required=False)


class NewsForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 8}))
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    published = forms.BooleanField(label=_("Published"), required=False, initial=True)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    language = forms.ChoiceField(
        label=_("Language"), choices=[("", _("All languages")), *Language.choices], required=False
    )
    product = forms.CharField(label=_("Product"), max_length=100, required=False)
