"""A drop-in for Mephisto's `build_custom_bundle` (see buildtools.mephisto.dropin):

    from buildtools.mephisto import build_custom_bundle
"""

from buildtools.mephisto.dropin import build_custom_bundle, mephisto_config, pair_state_dir

__all__ = ["build_custom_bundle", "mephisto_config", "pair_state_dir"]
