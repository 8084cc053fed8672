## heapcheck.m4 where aclocal finds it.  Included from the top Makefile.am, which
## installs it into $(datadir)/aclocal.
##
## aclocal (automake 1.16, as Debian ships it) searches its own directory
## (`aclocal --print-ac-dir`: /usr/share/aclocal), the directories listed in the file
## dirlist there, and ACLOCAL_PATH: not /usr/local/share/aclocal.  So heapcheck
## installed in the default prefix also puts heapcheck.m4 into aclocal's own
## directory, for a plain `autoreconf -fi` to find (not under DESTDIR, where a package
## is being staged; uninstall removes that copy when it is still ours).
## HEAPCHECK_SYSTEM_M4: auto (that), yes (whatever the prefix), no (never);
## SYSTEM_ACLOCALDIR stands for aclocal's answer.
HEAPCHECK_SYSTEM_M4 = auto
SYSTEM_ACLOCALDIR = `aclocal --print-ac-dir 2>/dev/null`

install-data-local: install-heapcheck-system-m4
uninstall-local: uninstall-heapcheck-system-m4

install-heapcheck-system-m4:
	@sysdir=$(SYSTEM_ACLOCALDIR); \
	case "$(HEAPCHECK_SYSTEM_M4)" in \
	  yes) want=yes ;; no) want=no ;; \
	  *) if test -z "$(DESTDIR)" && test "$(prefix)" = /usr/local; then want=yes; else want=no; fi ;; \
	esac; \
	if test -z "$$sysdir" || test "$$sysdir" = "$(aclocaldir)"; then :; \
	elif test $$want = yes && $(MKDIR_P) "$$sysdir" 2>/dev/null && \
	     $(INSTALL_DATA) $(srcdir)/m4/heapcheck.m4 "$$sysdir/heapcheck.m4" 2>/dev/null; then \
	  echo "heapcheck.m4 also installed in $$sysdir, where aclocal looks"; \
	elif test -z "$(DESTDIR)" && ! grep -qsx "$(aclocaldir)" "$$sysdir/dirlist"; then \
	  echo "note: aclocal does not look in $(aclocaldir): give autoreconf"; \
	  echo "  ACLOCAL_PATH=$(aclocaldir) (or add the directory to $$sysdir/dirlist)"; \
	fi

uninstall-heapcheck-system-m4:
	@sysdir=$(SYSTEM_ACLOCALDIR); \
	if test -n "$$sysdir" && test "$$sysdir" != "$(aclocaldir)" && \
	   cmp -s $(srcdir)/m4/heapcheck.m4 "$$sysdir/heapcheck.m4"; then \
	  echo " rm -f $$sysdir/heapcheck.m4"; rm -f "$$sysdir/heapcheck.m4"; fi

.PHONY: install-heapcheck-system-m4 uninstall-heapcheck-system-m4
