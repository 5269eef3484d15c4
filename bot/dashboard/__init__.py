"""`tutor dashboard`: a read-only web view of the class's data, served by Datasette over the
bot's own SQLite file. A frontend beside the terminal and Discord: it reads the database path
from the settings and its pages (canned queries) from the application layer."""
