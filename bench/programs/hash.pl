#!/usr/bin/perl
# Allocation-heavy Perl for the perl workload of bench/peers.sh:
#
#     perl hash.pl [ROUNDS]
#
# Each round fills a hash of arrays of strings, rebuilds strings with join, split and
# sprintf, sorts the keys, and drops the previous round's data, so perl's own
# allocator (which takes its memory from malloc) keeps allocating and freeing.
# The random numbers come from a fixed-seed generator of our own, not perl's rand,
# so the work is the same on every perl.  Prints a checksum.
use strict;
use warnings;

my $rounds = @ARGV ? $ARGV[0] : 15;
my $x = 12345;
sub next_rand { $x = ($x * 16807) % 2147483647; return $x; }

my $checksum = 0;
my %keep;
for my $round (1 .. $rounds) {
    my %h;
    for my $i (1 .. 20000) {
        my $k = sprintf "k%05x", next_rand() % 40000;
        push @{ $h{$k} }, "v" . ($i * $round) . "-" . next_rand() % 1000;
    }
    my $text = join ",", map { $_ . ":" . scalar @{ $h{$_} } } sort keys %h;
    my @fields = split /,/, $text;
    $checksum = ($checksum * 31 + scalar(@fields) + length($text)) % 1000000007;
    $keep{ $round % 4 } = \%h;
}
print "hash.pl rounds=$rounds checksum=$checksum\n";
