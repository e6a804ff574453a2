module lkstack.test/urlcheck

go 1.25.0

require github.com/bluenviron/gortsplib/v5 v5.6.4
