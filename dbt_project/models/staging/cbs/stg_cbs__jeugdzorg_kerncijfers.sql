{{ stg_cbs_observations('cbs_jeugdzorg_kerncijfers') }}
