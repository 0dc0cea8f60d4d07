"""Demo content for `manage.py load_demo`.

The texts are written for Leerplein in plain Dutch (B1) with an English translation, from the
facts in the source documents (`../shared/seeds/`); no sentence is copied from them.
"""
