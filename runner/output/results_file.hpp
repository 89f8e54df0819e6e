// A small HDF5 file of result tables (calibration and the like): numbers and
// strings in groups, with attributes. Like H5Output it is written under a
// temporary name and renamed by commit(), so an interrupted run never leaves a
// file that looks complete.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace pbsim::runner {

class ResultsFile {
  public:
    // Creates FINAL.partial-PID; throws OutputError naming the file.
    explicit ResultsFile(std::filesystem::path final_path);
    ~ResultsFile(); // without commit(): closes and removes the temporary file
    ResultsFile(const ResultsFile&) = delete;
    ResultsFile& operator=(const ResultsFile&) = delete;

    // `object` is "/" or a group path, created (with its parents) as needed.
    void attribute(const std::string& object, const std::string& name, const std::string& value);
    void attribute(const std::string& object, const std::string& name, double value);
    void attribute(const std::string& object, const std::string& name, std::int64_t value);

    // float64 dataset of the given shape (empty: one dimension of values.size()).
    void numbers(const std::string& path, const std::vector<double>& values,
                 const std::vector<std::size_t>& shape = {}, const std::string& description = {},
                 const std::string& units = {});
    void strings(const std::string& path, const std::vector<std::string>& values,
                 const std::string& description = {});

    void commit();

  private:
    std::filesystem::path final_path_, temp_path_;
    std::int64_t file_ = -1;
    bool committed_ = false;
    std::int64_t group(const std::string& path); // an open object (group or dataset); caller closes
    [[noreturn]] void fail(const std::string& what) const;
    template <class T> void write(const std::string& object, const std::string& name, const T& value);
};

} // namespace pbsim::runner
