# Checks the sample SPSS and Stata files written by write_samples with R (haven, else foreign
# for the .sav only): names, variable labels, value labels, values, dates and missing cells.
# Usage: Rscript stat_check.R FOLDER. Exit 0 when all hold, 1 otherwise.
args <- commandArgs(trailingOnly = TRUE)
folder <- args[1]
failures <- character()
check <- function(ok, what) if (!isTRUE(ok)) failures <<- c(failures, what)
expected_names <- c("ref", "status", "score", "count", "change", "enrolled", "consent", "note")

if (requireNamespace("haven", quietly = TRUE)) {
  for (ext in c("sav", "dta")) {
    read <- if (ext == "sav") haven::read_sav else haven::read_dta
    p <- read(file.path(folder, ext, paste0("people.", ext)))
    check(identical(names(p), expected_names), paste(ext, "names"))
    check(identical(attr(p$status, "label"), "Current status"), paste(ext, "variable label"))
    labels <- attr(p$status, "labels")
    check(identical(as.numeric(labels), c(1, 2, 3, 4)) &&
            identical(names(labels), c("Active", "Closed", "waiting", "transferred")),
          paste(ext, "code labels"))
    check(isTRUE(all.equal(as.numeric(p$status), c(1, 2, 4, NA))), paste(ext, "codes"))
    scale <- attr(p$score, "labels")
    check(identical(as.numeric(scale), c(0, 1, 2)) &&
            identical(names(scale), c("Not at all", "Sometimes", "Often")),
          paste(ext, "scale labels"))
    check(isTRUE(all.equal(as.numeric(p$count), c(-3, 7, NA, 0))), paste(ext, "integers"))
    check(isTRUE(all.equal(as.numeric(p$change), c(-1.5, 2.25, NA, 0))), paste(ext, "numbers"))
    check(inherits(p$enrolled, "Date"), paste(ext, "date class"))
    check(isTRUE(all.equal(as.character(p$enrolled), c("2026-03-14", "1999-12-31", NA,
                                                      "2026-01-01"))),
          paste(ext, "dates"))
    check(isTRUE(all.equal(as.numeric(p$consent), c(1, 0, NA, 1))), paste(ext, "booleans"))
    check(identical(as.character(p$note), c("=HYPERLINK(\"x\")", "-1+2", "@SUM(A1)", "-3")),
          paste(ext, "text"))
    m <- read(file.path(folder, ext, paste0("monthly.", ext)))
    check(inherits(m$month, "Date") && as.character(m$month[2]) == "2026-04-01",
          paste(ext, "month"))
  }
} else {
  p <- foreign::read.spss(file.path(folder, "sav", "people.sav"), to.data.frame = FALSE,
                          use.value.labels = FALSE)
  check(identical(names(p), expected_names), "sav names")
  check(identical(unname(attr(p, "variable.labels")["status"]), "Current status"),
        "sav variable label")
  labels <- attr(p$status, "value.labels")
  check(identical(sort(as.numeric(labels)), c(1, 2, 3, 4)), "sav code labels")
  check(isTRUE(all.equal(as.numeric(p$count), c(-3, 7, NA, 0))), "sav integers")
  check(identical(trimws(as.character(p$note)), c("=HYPERLINK(\"x\")", "-1+2", "@SUM(A1)", "-3")),
        "sav text")
}

for (failure in failures) message("stat_check: ", failure)
quit(status = if (length(failures)) 1 else 0)
