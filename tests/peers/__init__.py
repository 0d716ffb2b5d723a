"""Peer suites: upstream projects' own tests, ported to run against gaborcore.

Each module's docstring names the upstream file and version; the test logic is restated in our
own words and calls gaborcore through :mod:`tests.peers.names` (librosa's names mapped onto
gaborcore's).  librosa 0.11.0: test_peer_core (stft, istft, decibels), test_peer_filters (mel
scale, mel filter banks, get_window), test_peer_features (delta, mfcc, melspectrogram),
test_peer_convert (frames, samples, times), test_peer_util (pad_center), test_peer_multichannel;
test_peer_differences holds one test per deliberate difference (docs/migration.rst).
"""
