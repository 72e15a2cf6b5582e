//! Text repair: undo the damage PDF extraction does to a letter before parsing.
