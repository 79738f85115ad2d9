"""Class: a teacher starts a class and projects its wall of students' runs; students join it by name."""
from mlp.ui.class_page import class_page
from mlp.ui.page import page_setup

page_setup("Class", sidebar_closed=True)
class_page()
